d=e[{ r+eubs!={ubs=={
 { 
{
 { 
 {- r+-ubs=={
 { 
 {- r+eubs=={bsla={
 { r+eubs!={
 r+eubs!={ubs=={{ 
 {- r+eubs=={ { r+eubs!={
 {d+ueubs=={bsla={
 { r+eubs!={
 r+eubs!={ubs=={{ 
 {-  {- r+-ubs=={
 { 
 {- r+eubs=={bsla={
 { r+eubs!={
 r+eubs!={ubs=={{ 
 {- r+eubs=={ { r+eubs!={
 {d+ueubs=={bsla={
 { r+eubs!={
 r+eubs!={ubs=={{ 
 {- r+eubs=={ { r+eubs!={
 {d+ubs=={
 {bs=={
 {  lFB&&